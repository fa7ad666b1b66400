//! The phones and tablets `use: {device: …}` names, pinned: viewport,
//! device scale factor, touch, mobile flag and user agent, copied from
//! Playwright's `deviceDescriptorsSource.json` as shipped in playwright-core
//! 1.65.1 (the version `bench/` pins), portrait entries only. A pinned
//! table keeps a seal reproducible: a device means the same screen on every
//! run, whatever Playwright later changes.

/// One emulated device.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    /// Playwright's name for it, e.g. `iPhone 13`.
    pub name: &'static str,
    /// The CSS viewport.
    pub width: u32,
    pub height: u32,
    /// `deviceScaleFactor`.
    pub scale: f64,
    /// `isMobile`: the meta viewport tag is honoured and the page is laid
    /// out as on a phone.
    pub mobile: bool,
    /// `hasTouch`: touch events and `(pointer: coarse)`.
    pub touch: bool,
    pub user_agent: &'static str,
}

/// Every device a spec may name, phones first.
pub const DEVICES: &[Device] = &[
    Device {
        name: "iPhone SE",
        width: 320,
        height: 568,
        scale: 2.0,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_1 like Mac OS X) AppleWebKit/603.1.30 (KHTML, like Gecko) Version/27.2 Mobile/14E304 Safari/602.1",
    },
    Device {
        name: "iPhone 12",
        width: 390,
        height: 664,
        scale: 3.0,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 14_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/27.2 Mobile/15E148 Safari/604.1",
    },
    Device {
        name: "iPhone 13",
        width: 390,
        height: 664,
        scale: 3.0,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/27.2 Mobile/15E148 Safari/604.1",
    },
    Device {
        name: "iPhone 14",
        width: 390,
        height: 664,
        scale: 3.0,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/27.2 Mobile/15E148 Safari/604.1",
    },
    Device {
        name: "iPhone 14 Pro Max",
        width: 430,
        height: 740,
        scale: 3.0,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/27.2 Mobile/15E148 Safari/604.1",
    },
    Device {
        name: "iPhone 15",
        width: 393,
        height: 659,
        scale: 3.0,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/27.2 Mobile/15E148 Safari/604.1",
    },
    Device {
        name: "iPhone 15 Pro Max",
        width: 430,
        height: 739,
        scale: 3.0,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/27.2 Mobile/15E148 Safari/604.1",
    },
    Device {
        name: "Pixel 5",
        width: 393,
        height: 727,
        scale: 2.75,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (Linux; Android 11; Pixel 5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/159.0.8154.6 Mobile Safari/537.36",
    },
    Device {
        name: "Pixel 7",
        width: 412,
        height: 839,
        scale: 2.625,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/159.0.8154.6 Mobile Safari/537.36",
    },
    Device {
        name: "Galaxy S9+",
        width: 320,
        height: 658,
        scale: 4.5,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (Linux; Android 8.0.0; SM-G965U Build/R16NW) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/159.0.8154.6 Mobile Safari/537.36",
    },
    Device {
        name: "Galaxy S24",
        width: 360,
        height: 780,
        scale: 3.0,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (Linux; Android 14; SM-S921U) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/159.0.8154.6 Mobile Safari/537.36",
    },
    Device {
        name: "iPad (gen 7)",
        width: 810,
        height: 1080,
        scale: 2.0,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/27.2 Mobile/15E148 Safari/604.1",
    },
    Device {
        name: "iPad Mini",
        width: 768,
        height: 1024,
        scale: 2.0,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/27.2 Mobile/15E148 Safari/604.1",
    },
    Device {
        name: "iPad Pro 11",
        width: 834,
        height: 1194,
        scale: 2.0,
        mobile: true,
        touch: true,
        user_agent: "Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/27.2 Mobile/15E148 Safari/604.1",
    },
];

/// The device called `name`; case is ignored, as a reader would.
pub fn device(name: &str) -> Option<&'static Device> {
    let name = name.trim();
    DEVICES.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// The names of every device, for errors and `prod-smoke devices`.
pub fn device_names() -> Vec<&'static str> {
    DEVICES.iter().map(|d| d.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found_whatever_the_case() {
        let names = device_names();
        let unique: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        assert_eq!(device("iphone 13").map(|d| d.width), Some(390));
        assert_eq!(device("Pixel 7").map(|d| d.scale), Some(2.625));
        assert!(device("Nokia 3310").is_none());
    }
}
