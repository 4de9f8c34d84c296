//! `docs/COHERENCE.md` states the coherent port's encodings in its tables and prose;
//! `cdm_regmap::coherent` is their one source. This test reads the document and fails
//! on any code, name or state that disagrees with it, and on any op it leaves out.

use std::path::PathBuf;

use cdm_regmap::coherent::{PortState, ReqOp, SnpOp};

fn document() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/COHERENCE.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The cells of every table row in the document (header and rule rows included).
fn rows(doc: &str) -> Vec<Vec<String>> {
    doc.lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// The codes of a first cell such as `3` or `6, 7`; `None` if it holds something else.
fn codes(cell: &str) -> Option<Vec<u64>> {
    cell.split(',').map(|c| c.trim().parse().ok()).collect()
}

#[test]
fn op_tables_match_the_encodings() {
    let doc = document();
    let mut seen_req = Vec::new();
    let mut seen_snp = Vec::new();
    let mut seen_reserved = false;
    for row in rows(&doc) {
        let (Some(codes), Some(name)) = (row.first().and_then(|c| codes(c)), row.get(1)) else {
            continue;
        };
        if let Some(op) = ReqOp::ALL.into_iter().find(|op| op.name() == name) {
            assert_eq!(codes, [op.code()], "req.op row {row:?}");
            seen_req.push(op);
        } else if let Some(op) = SnpOp::ALL.into_iter().find(|op| op.name() == name) {
            assert_eq!(codes, [op.code()], "snp.op row {row:?}");
            seen_snp.push(op);
        } else if name == "reserved" {
            let reserved: Vec<u64> = (ReqOp::RESERVED..1 << ReqOp::WIDTH).collect();
            assert_eq!(codes, reserved, "reserved req.op row {row:?}");
            seen_reserved = true;
        }
    }
    assert_eq!(seen_req, ReqOp::ALL, "every req.op, once, in code order");
    assert_eq!(seen_snp, SnpOp::ALL, "every snp.op, once, in code order");
    assert!(seen_reserved, "the reserved req.op codes have a row");
}

#[test]
fn states_in_tables_and_prose_match_the_encodings() {
    let doc = document();
    // Cells such as `S (1)` or `Err (3)` name a state with its code.
    let mut cells = 0;
    for cell in rows(&doc).into_iter().flatten() {
        let Some((name, rest)) = cell.split_once(" (") else {
            continue;
        };
        let Some(state) = PortState::ALL.into_iter().find(|s| s.name() == name) else {
            continue;
        };
        assert_eq!(rest, format!("{})", state.code()), "state cell `{cell}`");
        cells += 1;
    }
    assert!(
        cells >= ReqOp::ALL.len(),
        "the req.op table gives each op's rsp.state"
    );

    let listed = |states: &[PortState]| {
        states
            .iter()
            .map(|s| format!("{} = {}", s.name(), s.code()))
            .collect::<Vec<_>>()
    };
    let [i, s, e, refused] = listed(&PortState::ALL).try_into().unwrap();
    let rsp = format!("`rsp.state` encodes {i}, {s}, {e}, and {refused} for a refused request.");
    assert!(doc.contains(&rsp), "COHERENCE.md should say: {rsp}");
    let snp = format!("the host's state after the snoop ({i}, {s})");
    assert!(doc.contains(&snp), "COHERENCE.md should say: {snp}");
    let reserved = (ReqOp::RESERVED..1 << ReqOp::WIDTH)
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" or ");
    let bad = format!(
        "a request with a reserved op ({reserved}) | answers `rsp.state` = {} ({})",
        PortState::Refused.code(),
        PortState::Refused.name()
    );
    assert!(doc.contains(&bad), "COHERENCE.md should say: {bad}");
}
