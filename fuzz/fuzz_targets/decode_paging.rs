//! A page of a list (`ODataCollection` of jobs, templates or any JSON) and the OData error
//! envelope from arbitrary bytes: no panic; what decodes encodes and decodes again.
#![no_main]

use graph_sync_model::{ODataCollection, ODataError, SynchronizationJob, SynchronizationTemplate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(page) = serde_json::from_slice::<ODataCollection<SynchronizationJob>>(data) {
        let encoded = serde_json::to_vec(&page).expect("a decoded page encodes");
        serde_json::from_slice::<ODataCollection<SynchronizationJob>>(&encoded)
            .expect("and decodes");
    }
    if let Ok(page) = serde_json::from_slice::<ODataCollection<SynchronizationTemplate>>(data) {
        let _ = format!("{page:?}");
    }
    let _ = serde_json::from_slice::<ODataCollection<serde_json::Value>>(data);
    if let Some(error) = ODataError::from_slice(data) {
        let encoded = serde_json::to_vec(&error).expect("a decoded error encodes");
        assert!(ODataError::from_slice(&encoded).is_some());
    }
});
