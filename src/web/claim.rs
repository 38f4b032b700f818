//! The claim: the `adopt` export, which js/host.js's `claim()` calls under the Web Lock
//! `rtp-claim`, and the replay of the calls the snippet kept for this page.

use super::effects::{drive, run, Ctx};
use super::state::with_edge;
use super::{args, bindings};
use crate::driver::Input;
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Called by the loader's `claim()` under the Web Lock `rtp-claim`, with the names of the
/// locks held or requested, separated by spaces (`null` without Web Locks), and the time the
/// snapshot was asked for. Adopts the events of pages that are gone, and returns the calls the
/// snippet kept when a page was left before its tag loaded, for js/host.js to replay (with
/// `call`, as the calls of this page's own snippet: each with its time and URL).
#[wasm_bindgen]
pub fn adopt(live: JsValue, since: JsValue) -> Array {
    let calls = Array::new();
    let undefined = JsValue::UNDEFINED;
    let none = Ctx::of(&undefined);
    let Some((go, effects)) = with_edge(|e| e.driver.claiming()) else {
        return calls;
    };
    run(effects, &none);
    if !go {
        return calls; // consent denied, or Do Not Track honoured: take nothing over
    }
    let (live, since) = (live.as_string(), args::time(&since));
    let Some((queues, effects)) = with_edge(|e| e.driver.adopt(live.as_deref(), since, &mut e.env))
    else {
        return calls;
    };
    run(effects, &none);
    for queue in &queues {
        let Ok(kept) = bindings::json_parse(queue).and_then(|k| k.dyn_into::<Array>()) else {
            drive(&none, Input::KeptUnreadable);
            continue;
        };
        for kept_call in kept.iter() {
            let get = |k: &str| {
                Reflect::get(&kept_call, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
            };
            let (action, time) = (args::short_string(&get("0"), 16), args::time(&get("t")));
            let Some((keep, effects)) =
                with_edge(|e| e.driver.kept_call(action.as_deref(), time, &mut e.env))
            else {
                continue;
            };
            run(effects, &Ctx::of(&kept_call));
            if keep {
                calls.push(&kept_call);
            }
        }
    }
    calls
}
