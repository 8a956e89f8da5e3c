//! `SynchronizationJob` from arbitrary bytes: no panic; what decodes encodes, and decodes again to the
//! same value (the model is lossless).
#![no_main]

use graph_sync_model::SynchronizationJob;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<SynchronizationJob>(data) else {
        return;
    };
    let _ = format!("{value:?}");
    let encoded = serde_json::to_vec(&value).expect("a decoded value encodes");
    let again: SynchronizationJob = serde_json::from_slice(&encoded).expect("an encoded value decodes");
    assert_eq!(
        serde_json::to_vec(&again).expect("encodes"),
        encoded,
        "decode, encode, decode, encode is stable"
    );
});
