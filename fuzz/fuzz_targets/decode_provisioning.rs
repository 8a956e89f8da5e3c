//! The provisionOnDemand result (`ProvisionOnDemandResult` and the JSON documents nested in
//! its `key` and `value` strings) and a provisioning log from arbitrary bytes: no panic;
//! what decodes encodes and decodes again.
#![no_main]

use graph_sync_model::{ProvisionOnDemandResult, ProvisioningLog};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(result) = serde_json::from_slice::<ProvisionOnDemandResult>(data) {
        let _ = format!("{result:?}");
        if let Ok(outcome) = result.decode_key() {
            let _ = format!("{outcome:?}");
        }
        if let Ok(log) = result.decode_value() {
            let encoded = serde_json::to_vec(&log).expect("a decoded log encodes");
            serde_json::from_slice::<ProvisioningLog>(&encoded).expect("and decodes");
        }
        let encoded = serde_json::to_vec(&result).expect("a decoded result encodes");
        serde_json::from_slice::<ProvisionOnDemandResult>(&encoded).expect("and decodes");
    }
    if let Ok(log) = serde_json::from_slice::<ProvisioningLog>(data) {
        let encoded = serde_json::to_vec(&log).expect("a decoded log encodes");
        serde_json::from_slice::<ProvisioningLog>(&encoded).expect("and decodes");
    }
});
