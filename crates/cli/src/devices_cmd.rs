use prod_smoke_spec::DEVICES;

use crate::exit;

/// Prints the devices `use: {device: …}` names on stdout, one per line:
/// the name, its CSS viewport and scale, whether it is a touch phone or
/// tablet, and its user agent. docs/spec.md says how `use:` applies them.
pub fn run() -> u8 {
    let width = DEVICES.iter().map(|d| d.name.len()).max().unwrap_or(0);
    for d in DEVICES {
        let kind = match (d.mobile, d.touch) {
            (true, true) => "mobile, touch",
            (true, false) => "mobile",
            (false, true) => "touch",
            (false, false) => "desktop",
        };
        println!(
            "{name:<width$}  {w}x{h} @{scale}x  {kind}  {ua}",
            name = d.name,
            w = d.width,
            h = d.height,
            scale = d.scale,
            ua = d.user_agent
        );
    }
    exit::GREEN
}
