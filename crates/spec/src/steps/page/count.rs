//! `count: locator` with `equals: N`: Playwright's `toHaveCount`.

use std::time::Duration;

use serde::de;

use super::{Observation, PageCheck, ParseStep, Reads, Verdict, locator_args};
use crate::steps::shown::elements;
use crate::steps::{Fields, Locator};

#[derive(Debug, Clone)]
pub struct Count {
    pub selector: Locator,
    pub count: usize,
    pub timeout: Option<Duration>,
}

impl ParseStep for Count {
    fn parse<E: de::Error>(f: &mut Fields) -> Result<Self, E> {
        let selector = f.require_locator("count")?;
        let Some(count) = f.take_count("equals")? else {
            return Err(E::custom(
                "a `count` step needs `equals:`, the number of elements expected",
            ));
        };
        Ok(Count {
            selector,
            count,
            timeout: f.take_timeout()?,
        })
    }
}

impl PageCheck for Count {
    fn describe(&self) -> String {
        format!(
            "{} matches {}",
            self.selector.describe(),
            elements(self.count)
        )
    }

    fn expected(&self) -> String {
        format!(
            "`{}` to match {}",
            self.selector.describe(),
            elements(self.count)
        )
    }

    fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    fn locator(&self) -> Option<&Locator> {
        Some(&self.selector)
    }

    fn reads(&self) -> Reads {
        Reads::Probe(locator_args(
            &self.selector,
            serde_json::json!({ "equals": self.count }),
        ))
    }

    /// Not strict: toHaveCount counts every match.
    fn judge(&self, seen: &Observation) -> Verdict {
        match (&seen.error, seen.pass) {
            (_, true) => Verdict::Pass,
            (Some(error), _) => Verdict::Saw(error.clone()),
            (None, _) => Verdict::Saw(format!(
                "{} matching `{}`",
                elements(seen.count),
                self.selector.describe()
            )),
        }
    }
}

/// Every match counts: no strict mode.
pub(crate) const PROBE: &str = r#"
(args) => {
  const found = locate(args.locator);
  if (found.error) return { count: 0, error: found.error };
  return { count: found.els.length, pass: found.els.length === args.equals };
}
"#;
