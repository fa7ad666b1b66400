//! Real input over CDP, as Playwright's Chromium driver sends it: mouse
//! events at a point of the top frame's viewport, key events with the
//! codes Chromium needs for default actions, and `Input.insertText` for
//! what `fill` types.

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::input::{
    DispatchKeyEventParams, DispatchKeyEventType, DispatchMouseEventParams, DispatchMouseEventType,
    InsertTextParams, MouseButton,
};
use prod_smoke_spec::steps::{Key, MODIFIERS, key_def};

type Cdp = chromiumoxide::error::CdpError;

fn mouse(
    kind: DispatchMouseEventType,
    (x, y): (f64, f64),
    buttons: i64,
) -> DispatchMouseEventParams {
    let mut p = DispatchMouseEventParams::new(kind.clone(), x, y);
    p.modifiers = Some(0);
    p.buttons = Some(buttons);
    if kind != DispatchMouseEventType::MouseMoved {
        p.button = Some(MouseButton::Left);
        p.click_count = Some(1);
    } else {
        p.button = Some(MouseButton::None);
    }
    p
}

/// `mouse.move(x, y)`: `mouseover`, `mouseenter` and `:hover` follow.
pub(super) async fn move_to(page: &Page, at: (f64, f64)) -> Result<(), Cdp> {
    page.execute(mouse(DispatchMouseEventType::MouseMoved, at, 0))
        .await?;
    Ok(())
}

/// `mouse.click(x, y)`: move, press and release the left button there.
pub(super) async fn click(page: &Page, at: (f64, f64)) -> Result<(), Cdp> {
    move_to(page, at).await?;
    page.execute(mouse(DispatchMouseEventType::MousePressed, at, 1))
        .await?;
    page.execute(mouse(DispatchMouseEventType::MouseReleased, at, 0))
        .await?;
    Ok(())
}

/// `keyboard.insertText(text)`: one `input` event, no key events.
pub(super) async fn insert_text(page: &Page, text: &str) -> Result<(), Cdp> {
    page.execute(InsertTextParams::new(text)).await?;
    Ok(())
}

/// `keyboard.press(chord)`: each key down in order, then up in reverse.
/// With a modifier other than Shift held, a key types no text (so
/// `Control+A` selects instead of typing "a"), as in Playwright.
pub(super) async fn press(page: &Page, chord: &[&'static Key]) -> Result<(), Cdp> {
    let mut modifiers = 0;
    for key in chord {
        let key = shifted(key, modifiers);
        let text = if modifiers & !8 != 0 { "" } else { key.text };
        page.execute(key_event(key, true, text, modifiers)).await?;
        modifiers |= modifier_bit(key.name);
    }
    for key in chord.iter().rev() {
        modifiers &= !modifier_bit(key.name);
        let key = shifted(key, modifiers);
        page.execute(key_event(key, false, "", modifiers)).await?;
    }
    Ok(())
}

/// A letter pressed with Shift held is its capital, as on a keyboard.
fn shifted(key: &'static Key, modifiers: i64) -> &'static Key {
    if modifiers & 8 != 0 && key.text.len() == 1 {
        let upper = key.text.to_uppercase();
        if let Some(k) = key_def(&upper).filter(|k| k.code == key.code) {
            return k;
        }
    }
    key
}

fn modifier_bit(name: &str) -> i64 {
    MODIFIERS
        .iter()
        .find(|(m, _)| *m == name)
        .map_or(0, |(_, bit)| *bit)
}

fn key_event(key: &Key, down: bool, text: &str, modifiers: i64) -> DispatchKeyEventParams {
    let kind = match (down, text.is_empty()) {
        (false, _) => DispatchKeyEventType::KeyUp,
        (true, true) => DispatchKeyEventType::RawKeyDown,
        (true, false) => DispatchKeyEventType::KeyDown,
    };
    let mut p = DispatchKeyEventParams::new(kind);
    p.modifiers = Some(modifiers);
    p.key = Some(key.key.to_string());
    p.code = Some(key.code.to_string());
    p.windows_virtual_key_code = Some(key.key_code);
    p.native_virtual_key_code = Some(key.key_code);
    if !text.is_empty() {
        p.text = Some(text.to_string());
        p.unmodified_text = Some(text.to_string());
    }
    if key.code.ends_with("Left") && key.key != "ArrowLeft" {
        p.location = Some(1);
    }
    p
}
