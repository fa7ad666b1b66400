//! `use:` on a scenario: every key loads, a device brings its screen and
//! user agent, and every mistake is located with a suggestion.

use prod_smoke_spec::{ColorScheme, SpecError, Suite, USE_KEYS, device_names};

fn scenario_with(use_yaml: &str) -> Result<Suite, SpecError> {
    let src =
        format!("scenarios:\n  - name: a\n    use: {use_yaml}\n    steps:\n      - visit: /\n");
    Suite::parse("use.yaml", &src)
}

fn located_error(use_yaml: &str) -> (usize, String) {
    let e = scenario_with(use_yaml).expect_err("should be refused");
    let (line, _) = e.location().unwrap_or_else(|| panic!("no location: {e}"));
    (line, e.to_string())
}

#[test]
fn every_key_loads() {
    let suite = scenario_with(
        "{viewport: {width: 360, height: 780}, color_scheme: dark, locale: es-ES, \
         user_agent: 'Mozilla/5.0 SmokeCheck/1.0', timezone: Europe/Madrid}",
    )
    .unwrap();
    let b = &suite.scenarios[0].browser;
    let screen = b.screen().unwrap();
    assert_eq!((screen.width, screen.height), (360, 780));
    assert!(!screen.mobile && !screen.touch);
    assert_eq!(b.color_scheme, Some(ColorScheme::Dark));
    assert_eq!(b.locale.as_deref(), Some("es-ES"));
    assert_eq!(b.effective_user_agent(), Some("Mozilla/5.0 SmokeCheck/1.0"));
    assert_eq!(b.timezone.as_deref(), Some("Europe/Madrid"));
}

/// Every form of IANA name Chromium takes loads: a plain zone, a
/// three-part one, `Etc/GMT±N`, UTC and the old links.
#[test]
fn every_form_of_iana_zone_loads() {
    for zone in [
        "UTC",
        "Europe/Paris",
        "America/Argentina/Salta",
        "Etc/GMT+5",
        "US/Eastern",
    ] {
        let suite = scenario_with(&format!("{{timezone: {zone}}}"))
            .unwrap_or_else(|e| panic!("{zone}: {e}"));
        assert_eq!(suite.scenarios[0].browser.timezone.as_deref(), Some(zone));
    }
}

#[test]
fn a_scenario_without_use_changes_nothing() {
    let suite = prod_smoke_spec::default_suite();
    assert!(suite.scenarios.iter().all(|s| s.browser.is_empty()));
    assert!(suite.scenarios[0].browser.screen().is_none());
}

#[test]
fn a_device_brings_its_screen_and_agent_and_a_later_key_wins() {
    let suite = scenario_with("{device: Pixel 7}").unwrap();
    let b = &suite.scenarios[0].browser;
    let s = b.screen().unwrap();
    assert_eq!((s.width, s.height, s.scale), (412, 839, 2.625));
    assert!(s.mobile && s.touch);
    assert!(b.effective_user_agent().unwrap().contains("Pixel 7"));

    let suite =
        scenario_with("{device: iPhone 13, viewport: {width: 300, height: 600}, user_agent: X/1}")
            .unwrap();
    let b = &suite.scenarios[0].browser;
    let s = b.screen().unwrap();
    assert_eq!((s.width, s.height, s.scale), (300, 600, 3.0));
    assert!(s.mobile, "the device's other settings stay");
    assert_eq!(b.effective_user_agent(), Some("X/1"));
}

#[test]
fn unknown_keys_and_values_say_did_you_mean_with_their_line() {
    for (yaml, want) in [
        (
            "{colour_scheme: dark}",
            "unknown key `colour_scheme` in `use`; did you mean `color_scheme`?",
        ),
        (
            "{viewprt: {width: 1, height: 1}}",
            "did you mean `viewport`?",
        ),
        (
            "{device: iPhone 31}",
            "unknown device `iPhone 31`; did you mean `iPhone 13`?",
        ),
        ("{device: Pixle 5}", "did you mean `Pixel 5`?"),
        ("{device: Nokia 3310}", "`prod-smoke devices` lists them"),
        (
            "{color_scheme: drak}",
            "unknown color_scheme `drak`; did you mean `dark`?",
        ),
        (
            "{viewport: {width: 360, hieght: 780}}",
            "did you mean `height`?",
        ),
        (
            "{viewport: {width: 360}}",
            "needs both `width` and `height`",
        ),
        ("{viewport: {width: 0, height: 780}}", "from 1 to 10000"),
        ("{viewport: 360x780}", "must be a mapping"),
        ("{locale: spanish please}", "is not a language tag"),
        ("{timezone: paris}", "is not an IANA time zone"),
        // Well shaped but unknown: found at load, with the name it is near.
        (
            "{timezone: Europe/Lndon}",
            "`Europe/Lndon` is not an IANA time zone (did you mean `Europe/London`?)",
        ),
        ("{timezone: Mars/Olympus_Mons}", "is not an IANA time zone;"),
        ("{user_agent: ''}", "`user_agent` in `use` is empty"),
    ] {
        let (line, msg) = located_error(yaml);
        assert_eq!(line, 3, "{yaml}: {msg}");
        assert!(msg.contains(want), "{yaml}: {msg}");
        assert!(msg.contains("use.yaml:3:"), "{yaml}: {msg}");
    }
}

#[test]
fn a_block_mapping_points_at_the_scenario_and_a_misspelt_use_is_caught() {
    let src = "scenarios:\n  - name: a\n    use:\n      locale: es-ES\n      devise: Pixel 7\n    steps:\n      - visit: /\n";
    let e = Suite::parse("use.yaml", src).unwrap_err();
    let (line, _) = e.location().unwrap();
    assert!((4..=5).contains(&line), "{e}");
    assert!(e.to_string().contains("did you mean `device`?"), "{e}");

    let src = "scenarios:\n  - name: a\n    uses: {locale: es}\n    steps:\n      - visit: /\n";
    let e = Suite::parse("use.yaml", src).unwrap_err();
    assert_eq!(e.location().map(|l| l.0), Some(3), "{e}");
    assert!(e.to_string().contains("did you mean `use`?"), "{e}");
}

#[test]
fn the_device_list_is_pinned_and_named() {
    let names = device_names();
    for wanted in [
        "iPhone 13",
        "iPhone 15",
        "Pixel 5",
        "Pixel 7",
        "Galaxy S9+",
        "iPad Mini",
        "iPad Pro 11",
    ] {
        assert!(names.contains(&wanted), "{wanted} missing from {names:?}");
    }
    assert_eq!(USE_KEYS.len(), 6);
}
