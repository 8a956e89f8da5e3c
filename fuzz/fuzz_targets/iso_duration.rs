//! ISO 8601 durations and the service's timestamps from arbitrary text: no panic; a parsed
//! value keeps its text and parses again to the same value.
#![no_main]

use graph_sync_model::{IsoDuration, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(duration) = IsoDuration::parse(text) {
        let _ = duration.as_std();
        assert_eq!(duration.as_str(), text);
        let again = IsoDuration::parse(duration.as_str()).expect("its own text parses");
        assert_eq!(again.as_std(), duration.as_std());
    }
    if let Ok(timestamp) = Timestamp::parse(text) {
        let _ = timestamp.value();
        let again = Timestamp::parse(timestamp.as_str()).expect("its own text parses");
        assert_eq!(again.value(), timestamp.value());
    }
});
