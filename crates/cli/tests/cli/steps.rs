use prod_smoke_spec::StepKind;

use crate::support::Smoke;

#[tokio::test]
async fn steps_lists_the_registry_one_step_per_line_key_first() {
    let mut s = Smoke::new();
    s.args(["steps"]);
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    let lines: Vec<&str> = f.stdout.lines().collect();
    assert_eq!(lines.len(), StepKind::ALL.len(), "{f}");
    for (line, kind) in lines.iter().zip(StepKind::ALL) {
        let info = kind.info();
        assert_eq!(line.split_whitespace().next(), Some(info.key), "{line}");
        assert!(line.contains(info.summary), "{line}");
        for m in info.modifiers {
            assert!(line.contains(m), "{line} lacks modifier {m}");
        }
    }
    assert!(f.stdout.contains("no_page_errors"), "{f}");
}

#[tokio::test]
async fn check_accepts_a_spec_using_every_new_step() {
    let mut s = Smoke::new();
    let spec = s.scratch.path().join("status.yaml");
    std::fs::write(
        &spec,
        r#"
scenarios:
  - name: status endpoint and board
    steps:
      - get: /up.json
      - header: content-type
        value: /json/
      - json: checks.database
        equals: ok
      - visit: /board
      - url: /\/tasks$/
      - hidden: .flash-alert
      - count: .task-card
        equals: 5
"#,
    )
    .unwrap();
    s.args(["check", spec.to_str().unwrap()]);
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    assert!(f.stderr.contains(": 1 scenarios"), "{f}");
}
