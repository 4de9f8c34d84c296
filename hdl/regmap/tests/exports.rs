//! The C header, SVD and Markdown exports, checked with the tools that consume them:
//! the C header must compile and agree with the map number for number, the SVD must
//! be well-formed XML that expands back to every register, the Markdown must cover
//! every register and state the access rules.
//!
//! `cc` and `python3` are optional: a test that needs a missing one prints a notice
//! and passes, unless `CDM_REQUIRE_TOOLS=1`, where it fails.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;

use cdm_regmap::gen::{c_header::c_header, markdown::markdown, svd::svd};
use cdm_regmap::{device_map, Access, Block, Field, RegMap, Register};

/// True when `tool` runs; otherwise prints a notice, or panics under
/// `CDM_REQUIRE_TOOLS=1`.
fn have(tool: &str, probe: &[&str]) -> bool {
    let ok = Command::new(tool)
        .args(probe)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var("CDM_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("`{tool}` is required (CDM_REQUIRE_TOOLS=1) but does not run");
        }
        // Straight to stderr, past the test harness's capture, so the skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "notice: `{tool}` does not run, skipping this check \
             (set CDM_REQUIRE_TOOLS=1 to fail instead)"
        );
    }
    ok
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("exports-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A map using everything the device map may not (yet): enumerated values, every
/// access kind, a full-width field, bit 31, a one-instance array, a hardware-cleared
/// W1S, a lock, and text that needs escaping in C comments, XML and Markdown.
fn rich_map() -> RegMap {
    RegMap::new(
        "TST",
        0x400,
        "Test map: <xml> & \"quotes\", a C comment end */ and /* start, | pipes, *stars*.",
    )
    .block(
        Block::new("CTL", 0x0, "Control & <status>.")
            .register(
                Register::new("MODE", 0x0, "Mode */ select; ??/ trigraph.")
                    .field(
                        Field::new("SEL", 0, 2, Access::RW, "Engine mode.")
                            .reset(2)
                            .value("IDLE", 0, "Idle <quiet> & still.")
                            .value("RUN", 1, "Running | busy.")
                            .value("HALT", 2, ""),
                    )
                    .field(Field::new("GO", 2, 1, Access::W1P, "Starts the engine."))
                    .field(Field::new("ERR", 3, 1, Access::W1C, "Error seen."))
                    .field(Field::new("KEY", 4, 4, Access::WO, "Write-only key."))
                    .field(
                        Field::new("STATE", 8, 3, Access::RO, "Current state.")
                            .value("OFF", 0, "off")
                            .value("ON", 7, "on"),
                    )
                    .field(Field::new("TOP", 31, 1, Access::RW, "Bit 31.").reset(1)),
            )
            .register(Register::new("LOCK", 0x4, "Lock bits.").field(Field::new(
                "LOCK",
                0,
                1,
                Access::W1S,
                "Freezes FULL.",
            )))
            .register(
                Register::new("FULL", 0x8, "A full word.")
                    .field(Field::new("VALUE", 0, 32, Access::RW, "Value.").reset(0xFFFF_FFFF))
                    .locked_by("CTL.LOCK.LOCK"),
            ),
    )
    .block(
        Block::new("CH", 0x100, "Channels.")
            .array(3, 0x40)
            .register(
                Register::new("CMD", 0x0, "Command.")
                    .field(
                        Field::new("START", 0, 1, Access::W1S, "Start; hardware clears it.")
                            .hw_clear(),
                    )
                    .field(Field::new("LEN", 8, 16, Access::RW, "Length.").reset(0x100)),
            )
            .register(
                Register::new("STAT", 0x3C, "Status.")
                    .field(Field::new("DONE", 0, 1, Access::W1C, "Done."))
                    .field(
                        Field::new("ID", 16, 16, Access::RO, "Identifier.")
                            .reset(0xBEEF)
                            .constant(),
                    ),
            ),
    )
    .block(
        Block::new("ONE", 0x200, "A one-instance array.")
            .array(1, 0x10)
            .register(Register::new("R", 0x4, "R.").field(Field::new("X", 0, 1, Access::RW, "x"))),
    )
}

fn maps() -> Vec<RegMap> {
    let maps = vec![device_map(), rich_map()];
    for map in &maps {
        map.validate().unwrap();
    }
    maps
}

fn c_prefix(map: &RegMap) -> String {
    map.name.to_ascii_uppercase()
}

/// A C file asserting every number of the header against the map.
fn c_checks(map: &RegMap) -> String {
    let p = c_prefix(map);
    let mut c = String::new();
    fn check(c: &mut String, expr: String, value: String) {
        let _ = writeln!(c, "_Static_assert(({expr}) == {value}, \"{expr}\");");
    }
    check(&mut c, format!("{p}_CSR_SIZE"), format!("{:#x}u", map.size));
    for block in &map.blocks {
        let b = format!("{p}_{}", block.name);
        check(&mut c, format!("{b}_BASE"), format!("{:#x}u", block.base));
        if block.is_array() {
            check(
                &mut c,
                format!("{b}_STRIDE"),
                format!("{:#x}u", block.stride),
            );
            check(&mut c, format!("{b}_COUNT"), format!("{}u", block.count));
        }
        for register in &block.registers {
            let r = format!("{b}_{}", register.name);
            check(
                &mut c,
                format!("{r}_RESET"),
                format!("{:#x}u", register.reset()),
            );
            for field in &register.fields {
                let f = format!("{r}_{}", field.name);
                check(&mut c, format!("{f}_MASK"), format!("{:#x}u", field.mask()));
                check(&mut c, format!("{f}_SHIFT"), field.lsb.to_string());
                check(&mut c, format!("{f}_RESET"), format!("{:#x}u", field.reset));
                // Mask and shift must agree with each other as a driver uses them.
                check(
                    &mut c,
                    format!("({f}_MASK >> {f}_SHIFT) & 1u"),
                    "1u".to_string(),
                );
                for value in &field.values {
                    check(
                        &mut c,
                        format!("{f}_{}", value.name),
                        format!("{:#x}u", value.value),
                    );
                }
            }
        }
    }
    for inst in map.instances() {
        let r = format!("{p}_{}_{}", inst.block.name, inst.register.name);
        if inst.block.is_array() {
            check(
                &mut c,
                format!("{r}_OFFSET_N({})", inst.index),
                format!("{:#x}u", inst.address),
            );
            if inst.index == 0 {
                check(
                    &mut c,
                    format!("{r}_OFFSET"),
                    format!("{:#x}u", inst.address),
                );
            }
        } else {
            check(
                &mut c,
                format!("{r}_OFFSET"),
                format!("{:#x}u", inst.address),
            );
        }
        // Register-wide values are unsigned ints, as the `u` suffix promises.
        let _ = writeln!(
            c,
            "_Static_assert(_Generic({r}_RESET, unsigned int: 1, default: 0), \"{r}_RESET is unsigned\");"
        );
    }
    c
}

#[test]
fn c_header_compiles_and_matches_the_map() {
    if !have("cc", &["--version"]) {
        return;
    }
    for map in maps() {
        let header = c_header(&map);
        let dir = scratch(&format!("c-{}", map.name));
        let h = format!("{}_regs.h", map.name.to_ascii_lowercase());
        std::fs::write(dir.join(&h), &header).unwrap();
        // Included twice: the include guard must hold.
        let test = format!(
            "#include \"{h}\"\n#include \"{h}\"\n\n{}\nint main(void) {{ return 0; }}\n",
            c_checks(&map)
        );
        std::fs::write(dir.join("check.c"), test).unwrap();
        let out = Command::new("cc")
            .args([
                "-std=c11",
                "-fsyntax-only",
                "-Wall",
                "-Wextra",
                "-Wpedantic",
                "-Werror",
                "-x",
                "c",
            ])
            .arg(dir.join("check.c"))
            .current_dir(&dir)
            .output()
            .expect("run cc");
        assert!(
            out.status.success(),
            "the {} header does not compile or disagrees with the map:\n{}\n(header in {})",
            map.name,
            String::from_utf8_lossy(&out.stderr),
            dir.display()
        );
    }
}

#[test]
fn c_header_has_guard_and_generated_note() {
    let header = c_header(&device_map());
    assert!(
        header.contains("#ifndef CDM_REGS_H\n#define CDM_REGS_H\n"),
        "{header}"
    );
    assert!(header.trim_end().ends_with("#endif /* CDM_REGS_H */"));
    assert!(header.contains("DO NOT EDIT"));
    assert!(!header.contains("#include"), "the header needs no includes");
    assert!(
        !header.contains("#error"),
        "the device map's macro names clash:\n{header}"
    );
    assert!(header.contains("CDM_GLOBAL_SCRATCH_OFFSET"));
    assert!(header.contains("CDM_WINDOW_CTRL_OFFSET_N(n)"));
    assert!(header.contains("W1C"), "access kinds are documented");
}

#[test]
fn c_header_reports_macro_name_clashes() {
    // Register `A_B` and field `B` of register `A` both spell `X_K_A_B_RESET`.
    let map = RegMap::new("X", 0x100, "clash").block(
        Block::new("K", 0x0, "k")
            .register(Register::new("A", 0x0, "a").field(Field::new("B", 0, 1, Access::RW, "b")))
            .register(Register::new("A_B", 0x4, "ab").field(Field::new(
                "C",
                0,
                1,
                Access::RW,
                "c",
            ))),
    );
    map.validate().unwrap();
    let header = c_header(&map);
    assert!(
        header.contains("#error \"macro name clash: X_K_A_B_RESET"),
        "{header}"
    );
}

/// Expands the SVD's clusters and arrays back into one line per register instance:
/// `path address reset access | field:offset:width:access:modifiedWriteValues ...`.
const SVD_EXPAND: &str = r#"
import sys, xml.dom.minidom as m
doc = m.parse(sys.argv[1])
def kids(e, tag):
    return [c for c in e.childNodes if c.nodeType == c.ELEMENT_NODE and c.tagName == tag]
def text(e, tag, default=None):
    k = kids(e, tag)
    if not k:
        return default
    return ''.join(t.data for t in k[0].childNodes if t.nodeType == t.TEXT_NODE).strip()
def num(s):
    return int(s, 0)
def walk(node, addr, prefix):
    for c in kids(node, 'cluster'):
        name, off = text(c, 'name'), num(text(c, 'addressOffset'))
        assert text(c, 'description') is not None, name
        dim = text(c, 'dim')
        if dim is None:
            walk(c, addr + off, prefix + name + '.')
        else:
            assert name.endswith('[%s]') and text(c, 'dimIndex') is None, name
            for i in range(num(dim)):
                walk(c, addr + off + i * num(text(c, 'dimIncrement')), prefix + name.replace('%s', str(i)) + '.')
    for r in kids(node, 'register'):
        assert text(r, 'size') == '32'
        fields = []
        for f in kids(kids(r, 'fields')[0], 'field'):
            values = []
            for ev in kids(f, 'enumeratedValues'):
                values += ['%s=%d' % (text(v, 'name'), num(text(v, 'value'))) for v in kids(ev, 'enumeratedValue')]
            fields.append(':'.join([text(f, 'name'), text(f, 'bitOffset'), text(f, 'bitWidth'),
                                    text(f, 'access'), text(f, 'modifiedWriteValues', '-'), ','.join(values)]))
        print(prefix + text(r, 'name'), hex(addr + num(text(r, 'addressOffset'))),
              hex(num(text(r, 'resetValue'))), text(r, 'access'), '|', ' '.join(fields))
p = kids(kids(doc.documentElement, 'peripherals')[0], 'peripheral')
assert len(p) == 1 and num(text(p[0], 'baseAddress')) == 0
walk(kids(p[0], 'registers')[0], 0, '')
"#;

fn svd_access(access: Access) -> (&'static str, &'static str) {
    match access {
        Access::RW => ("read-write", "-"),
        Access::RO => ("read-only", "-"),
        Access::WO | Access::W1P => ("write-only", "-"),
        Access::W1C => ("read-write", "oneToClear"),
        Access::W1S => ("read-write", "oneToSet"),
    }
}

fn expected_svd_lines(map: &RegMap) -> Vec<String> {
    let mut lines: Vec<String> = map
        .instances()
        .iter()
        .map(|inst| {
            let reg = inst.register;
            let readable = reg.fields.iter().any(|f| f.access.readable());
            let writable = reg.fields.iter().any(|f| f.access != Access::RO);
            let access = match (readable, writable) {
                (true, false) => "read-only",
                (false, true) => "write-only",
                _ => "read-write",
            };
            let fields: Vec<String> = reg
                .fields
                .iter()
                .map(|f| {
                    let (acc, mwv) = svd_access(f.access);
                    let values: Vec<String> = f
                        .values
                        .iter()
                        .map(|v| format!("{}={}", v.name, v.value))
                        .collect();
                    format!(
                        "{}:{}:{}:{acc}:{mwv}:{}",
                        f.name,
                        f.lsb,
                        f.width,
                        values.join(",")
                    )
                })
                .collect();
            format!(
                "{} {:#x} {:#x} {access} | {}",
                inst.path(),
                inst.address,
                reg.reset(),
                fields.join(" ")
            )
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn svd_is_well_formed_and_describes_every_register() {
    let python = have("python3", &["--version"]);
    for map in maps() {
        let text = svd(&map);
        assert!(text.contains("<device schemaVersion=\"1.3\""));
        for block in &map.blocks {
            for register in &block.registers {
                assert!(text.contains(&format!("<name>{}</name>", register.name)));
            }
        }
        if !python {
            continue;
        }
        let dir = scratch(&format!("svd-{}", map.name));
        let file = dir.join(format!("{}.svd", map.name.to_ascii_lowercase()));
        std::fs::write(&file, &text).unwrap();
        let out = Command::new("python3")
            .args([
                "-c",
                "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])",
            ])
            .arg(&file)
            .output()
            .expect("run python3");
        assert!(
            out.status.success(),
            "{} is not well-formed XML:\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let out = Command::new("python3")
            .args(["-c", SVD_EXPAND])
            .arg(&file)
            .output()
            .expect("run python3");
        assert!(
            out.status.success(),
            "expanding {} failed:\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let mut got: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        got.sort();
        let want = expected_svd_lines(&map);
        assert_eq!(got, want, "the SVD of {} disagrees with the map", map.name);
    }
}

#[test]
fn svd_escapes_text() {
    let text = svd(&rich_map());
    assert!(text.contains("Idle &lt;quiet&gt; &amp; still."), "{text}");
    assert!(!text.contains("<xml>"));
    assert!(text.contains("<name>CH[%s]</name>"));
    assert!(!text.contains("<dimIndex>"), "[%s] arrays take no dimIndex");
    assert!(!text.contains("<readAction>"));
}

#[test]
fn markdown_covers_every_register_and_the_rules() {
    for map in maps() {
        let md = markdown(&map);
        // Kept for reading when a check fails.
        let file = scratch(&format!("md-{}", map.name)).join("registers.md");
        std::fs::write(file, &md).unwrap();
        for inst in map.instances() {
            assert!(
                md.contains(&format!("`{}`", inst.path())),
                "{} missing",
                inst.path()
            );
            assert!(md.contains(&format!("`0x{:03X}`", inst.address)));
            for field in &inst.register.fields {
                assert!(md.contains(&format!("`{}`", field.name)));
                assert!(md.contains(&format!("`[{}:{}]`", field.msb(), field.lsb)));
                for value in &field.values {
                    assert!(md.contains(&format!("`{}`", value.name)));
                }
            }
        }
        for rule in [
            "For W1C fields a hardware set in the same cycle as a software clear wins: no event is lost.",
            "WO and W1P fields read as 0",
            "Unmapped or misaligned accesses answer SLVERR.",
            "Locked registers ignore writes until reset",
        ] {
            assert!(md.contains(rule), "legend lacks: {rule}");
        }
        for kind in ["RW", "RO", "WO", "W1C", "W1S", "W1P"] {
            assert!(md.contains(&format!("| {kind} |")), "legend lacks {kind}");
        }
    }
    let md = markdown(&device_map());
    assert!(md.contains("Locked by [`GLOBAL.WINDOW_LOCK.LOCK`](#global-window_lock)"));
    assert!(md.contains("<a id=\"global-window_lock\"></a>"));
    assert!(
        md.contains("</a>GLOBAL.CAP_DEVMEM_LO\n"),
        "intraword _ stays plain"
    );
    assert!(md.contains("An array of 4 instances"));
}

#[test]
fn markdown_escapes_text() {
    let md = markdown(&rich_map());
    assert!(
        md.contains("Running \\| busy."),
        "pipes must not split table cells"
    );
    assert!(md.contains("&lt;quiet&gt;"));
    assert!(
        md.contains("Idle &lt;quiet&gt; & still."),
        "a lone & needs no escape"
    );
    assert!(md.contains("\\*stars\\*"), "no accidental emphasis");
    assert!(md.contains("Mode \\*/ select"));
    assert!(!md.contains("<xml>"));
}

/// INTR.TEST's bits are pulses: they read 0, so the SVD must not offer them as
/// readable (a debugger would show stale ones).
#[test]
fn svd_describes_intr_test_as_write_only() {
    let text = svd(&cdm_regmap::device_map());
    let at = text
        .find("<name>TEST</name>")
        .expect("INTR.TEST in the SVD");
    let register = &text[at..at + text[at..].find("</register>").unwrap()];
    assert!(
        register.contains("<access>write-only</access>"),
        "{register}"
    );
    assert!(
        !register.contains("read-write") && !register.contains("oneToSet"),
        "{register}"
    );
}
