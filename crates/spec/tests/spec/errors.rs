use prod_smoke_spec::{SpecError, Suite};

fn err(src: &str) -> SpecError {
    Suite::parse("bad.yaml", src).expect_err("spec should be rejected")
}

fn located(src: &str) -> (usize, usize, String) {
    let e = err(src);
    let (line, col) = e
        .location()
        .unwrap_or_else(|| panic!("no location in: {e}"));
    (line, col, e.to_string())
}

#[test]
fn unknown_step_says_did_you_mean_with_line_and_column() {
    let src = "scenarios:\n  - name: a\n    steps:\n      - visit: /\n      - vist: /tasks\n";
    let (line, col, msg) = located(src);
    assert_eq!(line, 5, "{msg}");
    assert_eq!(col, 9, "{msg}");
    assert!(
        msg.contains("unknown step `vist`; did you mean `visit`?"),
        "{msg}"
    );
    assert!(msg.contains("bad.yaml:5:9"), "{msg}");
    assert!(msg.contains("- vist: /tasks"), "{msg}");
}

#[test]
fn unknown_scenario_key_says_did_you_mean() {
    let src = "scenarios:\n  - name: a\n    tgas: ['@x']\n    steps:\n      - visit: /\n";
    let (line, _, msg) = located(src);
    assert_eq!(line, 3, "{msg}");
    assert!(msg.contains("did you mean `tags`?"), "{msg}");
}

#[test]
fn unknown_modifier_says_did_you_mean() {
    let src = "scenarios:\n  - name: a\n    steps:\n      - get: /up\n        stauts: 200\n";
    let (line, _, msg) = located(src);
    assert_eq!(line, 4, "{msg}");
    assert!(
        msg.contains("unknown key `stauts` in a `get` step; did you mean `status`?"),
        "{msg}"
    );
}

#[test]
fn mutating_steps_do_not_exist() {
    let src = "scenarios:\n  - name: a\n    steps:\n      - post: /tasks\n";
    let (_, _, msg) = located(src);
    assert!(msg.contains("prod-smoke is read-only"), "{msg}");
}

#[test]
fn malformed_yaml_points_at_line_and_column() {
    let src = "scenarios:\n  - name: a\n    steps: [\n      - visit: /\n";
    let (line, col, msg) = located(src);
    assert!(line >= 3, "{msg}");
    assert!(col >= 1, "{msg}");
}

#[test]
fn bad_regex_and_bad_status_are_located() {
    let (line, _, msg) = located(
        "scenarios:\n  - name: a\n    steps:\n      - visit: /\n      - title: /(unclosed/\n",
    );
    assert_eq!(line, 5, "{msg}");
    assert!(msg.contains("bad regex"), "{msg}");
    let (line, _, msg) =
        located("scenarios:\n  - name: a\n    steps:\n      - get: /up\n        status: 9000\n");
    assert_eq!(line, 4, "{msg}");
    assert!(msg.contains("100 to 599"), "{msg}");
}

#[test]
fn paths_must_stay_on_the_app() {
    let (_, _, msg) =
        located("scenarios:\n  - name: a\n    steps:\n      - get: https://evil.example/\n");
    assert!(msg.contains("must be a path on the app"), "{msg}");
    let (_, _, msg) =
        located("scenarios:\n  - name: a\n    steps:\n      - visit: //evil.example/\n");
    assert!(msg.contains("must be a path on the app"), "{msg}");
}

#[test]
fn structural_mistakes_are_named() {
    let msg = err("scenarios: []\n").to_string();
    assert!(msg.contains("no scenarios"), "{msg}");
    let msg = err("scenarios:\n  - name: a\n    steps:\n      - title: x\n").to_string();
    assert!(msg.contains("before any `visit`"), "{msg}");
    let msg =
        err("scenarios:\n  - name: a\n    tags: [qa]\n    steps:\n      - visit: /\n").to_string();
    assert!(msg.contains("must start with `@`"), "{msg}");
}

#[test]
fn yaml_bomb_fails_fast() {
    let mut src = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        src.push_str(&format!(
            "b{i}: &b{i} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
            p = if i == 1 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            }
        ));
    }
    src.push_str("scenarios: []\n");
    let start = std::time::Instant::now();
    let e = err(&src);
    assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
    assert!(!e.to_string().is_empty());
}

#[test]
fn deep_nesting_fails_with_a_clear_error() {
    let src = format!(
        "scenarios:\n  - name: a\n    steps:\n      - visit: /\n        x: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let msg = err(&src).to_string();
    assert!(msg.contains("nesting deeper than 64 levels"), "{msg}");
}

#[test]
fn huge_file_is_refused_before_parsing() {
    let src = format!("# {}\nscenarios: []\n", "x".repeat(2 * 1024 * 1024));
    assert!(matches!(err(&src), SpecError::TooLarge { .. }));
}

#[test]
fn every_bad_spec_fixture_gives_a_clear_error() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/bad-specs");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures/bad-specs exists") {
        let path = entry.expect("dir entry").path();
        let e = Suite::load(&path).expect_err(&format!("{} must be rejected", path.display()));
        assert!(
            e.to_string().contains(&path.display().to_string()),
            "{}: error does not name the file: {e}",
            path.display()
        );
        seen += 1;
    }
    assert!(seen >= 5, "only {seen} bad specs");
}

#[test]
fn new_steps_refuse_what_they_cannot_check_with_line_and_column() {
    let page = "scenarios:\n  - name: a\n    steps:\n      - visit: /\n";
    let (line, _, msg) = located(&format!("{page}      - url: /tasks/new\n"));
    assert_eq!(line, 5, "{msg}");
    assert!(msg.contains("unsupported regex flag `n`"), "{msg}");
    let (_, _, msg) = located(&format!("{page}      - url: https://x.example/\n"));
    assert!(msg.contains("must be a regex"), "{msg}");
    let (_, _, msg) = located(&format!("{page}      - count: li\n"));
    assert!(msg.contains("a `count` step needs `equals:`"), "{msg}");
    let (_, _, msg) = located(&format!("{page}      - count: li\n        equals: -1\n"));
    assert!(msg.contains("whole number from 0 up"), "{msg}");
    let (_, _, msg) = located(&format!("{page}      - hidden: li\n        equal: 1\n"));
    assert!(
        msg.contains("unknown key `equal` in a `hidden` step; it takes `timeout`"),
        "{msg}"
    );
    let http = "scenarios:\n  - name: a\n    steps:\n      - get: /up.json\n";
    let (line, _, msg) = located(&format!("{http}      - json: a..b\n        equals: 1\n"));
    assert_eq!(line, 5, "{msg}");
    assert!(msg.contains("is not a path"), "{msg}");
    let (_, _, msg) = located(&format!("{http}      - json: status\n"));
    assert!(msg.contains("needs `equals:`"), "{msg}");
    let (_, _, msg) = located(&format!("{http}      - header: content type\n"));
    assert!(msg.contains("is not a header name"), "{msg}");
    let (_, _, msg) = located(&format!("{http}      - header: server\n        valeu: x\n"));
    assert!(msg.contains("did you mean `value`?"), "{msg}");
    let (_, _, msg) = located(&format!("{http}      - heder: server\n"));
    assert!(msg.contains("did you mean `header`?"), "{msg}");
}

#[test]
fn response_steps_need_a_response_before_them() {
    let msg = err("scenarios:\n  - name: a\n    steps:\n      - header: server\n").to_string();
    assert!(
        msg.contains("checks `header` before any `get` or `head`"),
        "{msg}"
    );
    let msg = err(
        "scenarios:\n  - name: a\n    steps:\n      - head: /up\n      - json: status\n        equals: ok\n",
    )
    .to_string();
    assert!(msg.contains("reads `json` after a `head`"), "{msg}");
}

#[test]
fn every_mutating_name_is_refused_as_a_write_never_suggested() {
    // `click`, `fill` and `press` are steps now: the guard makes them safe.
    for key in ["post", "PUT", "delete", "type", "submit", "check"] {
        let (_, _, msg) = located(&format!(
            "scenarios:\n  - name: a\n    steps:\n      - {key}: /tasks\n"
        ));
        assert!(msg.contains("prod-smoke is read-only"), "{key}: {msg}");
        assert!(!msg.contains("did you mean"), "{key}: {msg}");
    }
}

#[test]
fn misspelt_locator_key_says_did_you_mean_with_line_and_column() {
    let src = "scenarios:\n  - name: a\n    steps:\n      - visit: /\n      - visible: {role: link, nmae: Docs}\n";
    let (line, col, msg) = located(src);
    assert_eq!((line, col), (5, 9), "{msg}");
    assert!(
        msg.contains(
            "unknown locator key `nmae` in `visible` of a `visible` step; did you mean `name`?"
        ),
        "{msg}"
    );
}

#[test]
fn misspelt_aria_role_says_did_you_mean() {
    let src = "scenarios:\n  - name: a\n    steps:\n      - visit: /\n      - count: {role: navgation}\n        equals: 1\n";
    let (line, _, msg) = located(src);
    assert_eq!(line, 5, "{msg}");
    assert!(
        msg.contains("unknown ARIA role `navgation`; did you mean `navigation`?"),
        "{msg}"
    );
}

#[test]
fn misspelt_new_modifiers_say_did_you_mean() {
    for (step, typo, want) in [
        ("      - attribute: a\n        nmae: href\n", "nmae", "name"),
        ("      - text: Hi\n        exatc: true\n", "exatc", "exact"),
        (
            "      - visit: /x\n        stauts: 404\n",
            "stauts",
            "status",
        ),
        (
            "      - in_viewport: footer\n        timout: 2s\n",
            "timout",
            "timeout",
        ),
    ] {
        let src = format!("scenarios:\n  - name: a\n    steps:\n      - visit: /\n{step}");
        let (line, _, msg) = located(&src);
        assert_eq!(line, 5, "{msg}");
        assert!(msg.contains(&format!("`{typo}`")), "{msg}");
        assert!(msg.contains(&format!("did you mean `{want}`?")), "{msg}");
    }
}

#[test]
fn a_misspelt_new_step_says_did_you_mean() {
    let src =
        "scenarios:\n  - name: a\n    steps:\n      - visit: /\n      - in_veiwport: footer\n";
    let (_, _, msg) = located(src);
    assert!(msg.contains("did you mean `in_viewport`?"), "{msg}");
}

#[test]
fn locator_shapes_that_cannot_work_are_refused() {
    for (locator, says) in [
        (
            "{role: link, text: Docs}",
            "a locator picks elements one way, found `role`, `text`",
        ),
        ("{nth: 0}", "names no elements"),
        (
            "{text: Docs, name: x}",
            "`name` refines a `role` locator only",
        ),
        (
            "{css: li, exact: true}",
            "`exact` has no meaning for a `css` locator",
        ),
        ("{css: li, nth: first}", "`nth` must be a whole number"),
        ("[li]", "must be a CSS selector or a locator"),
        ("{role: heading, name: \"/(/\"}", "bad regex"),
    ] {
        let src = format!(
            "scenarios:\n  - name: a\n    steps:\n      - visit: /\n      - visible: {locator}\n"
        );
        let (line, _, msg) = located(&src);
        assert_eq!(line, 5, "{msg}");
        assert!(msg.contains(says), "{locator}: {msg}");
    }
}

#[test]
fn attribute_needs_a_name_and_writes_stay_refused() {
    let src = "scenarios:\n  - name: a\n    steps:\n      - visit: /\n      - attribute: a\n";
    assert!(err(src).to_string().contains("needs `name:`"));
    for write in ["post", "put", "patch", "delete", "submit"] {
        let src = format!("scenarios:\n  - name: a\n    steps:\n      - {write}: /x\n");
        assert!(
            err(&src).to_string().contains("prod-smoke is read-only"),
            "{write}"
        );
    }
}

#[test]
fn interactions_load_and_their_mistakes_are_named_where_they_are() {
    let suite = prod_smoke_spec::Suite::parse(
        "actions.yaml",
        r##"
scenarios:
  - name: a
    steps:
      - visit: /
      - hover: {role: button, name: Products}
      - click: {text: Firefox, exact: true}
      - fill: {label: Search}
        with: rust
      - press: Enter
      - press: Control+A
        in: "#q"
      - scroll: footer
      - click: {role: link, name: Open the app}
        opens: tab
"##,
    )
    .expect("interactions load");
    let names: Vec<String> = suite.scenarios[0]
        .steps
        .iter()
        .map(|s| s.describe())
        .collect();
    assert_eq!(
        names,
        [
            "visit /",
            "hover getByRole('button', { name: 'Products' })",
            "click getByText('Firefox', { exact: true })",
            "fill getByLabel('Search') with \"rust\"",
            "press Enter",
            "press Control+A in #q",
            "scroll to footer",
            "click getByRole('link', { name: 'Open the app' }) (opens a tab)",
        ]
    );
    let cases = [
        ("      - press: Entr\n", "did you mean `Enter`?"),
        (
            "      - press: Ctrl+A\n",
            "`Ctrl` in `press: Ctrl+A` is not a modifier",
        ),
        ("      - fill: \"#q\"\n", "needs `with:`"),
        (
            "      - click: a\n        opens: window\n",
            "write `opens: tab`",
        ),
        (
            "      - click: a\n        opnes: tab\n",
            "did you mean `opens`?",
        ),
        ("      - hover: {role: buton}\n", "did you mean `button`?"),
    ];
    for (step, says) in cases {
        let src = format!("scenarios:\n  - name: a\n    steps:\n      - visit: /\n{step}");
        let (line, _, msg) = located(&src);
        assert_eq!(line, 5, "{step}: {msg}");
        assert!(msg.contains(says), "{step}: {msg}");
    }
    let before = err("scenarios:\n  - name: a\n    steps:\n      - click: a\n").to_string();
    assert!(before.contains("before any `visit`"), "{before}");
}
