//! Every id parser from arbitrary text: no panic; an accepted id is one URL path segment
//! (never empty, `.`, `..`, and free of `/`, `?`, `#`, `%`), round-trips through its text,
//! and an error message stays short and free of control characters.
#![no_main]

use graph_sync_model::{
    AppId, ApplicationObjectId, ApplicationTemplateId, DirectoryId, JobId, ServicePrincipalId,
    ServicePrincipalRef, TemplateId,
};
use libfuzzer_sys::fuzz_target;

fn check<T: std::fmt::Display, E: std::fmt::Display>(parsed: Result<T, E>) {
    match parsed {
        Ok(id) => {
            let text = id.to_string();
            assert!(!text.is_empty() && text != "." && text != "..", "{text:?}");
            assert!(!text.contains(['/', '?', '#', '%', '\\']), "{text:?}");
        }
        Err(error) => {
            let message = error.to_string();
            assert!(message.len() <= 400, "{message}");
            assert!(!message.chars().any(char::is_control), "{message:?}");
        }
    }
}

fuzz_target!(|text: &str| {
    check(ServicePrincipalId::new(text));
    check(AppId::new(text));
    check(ApplicationObjectId::new(text));
    check(ApplicationTemplateId::new(text));
    check(JobId::new(text));
    check(TemplateId::new(text));
    check(DirectoryId::new(text));
    if let Ok(reference) = ServicePrincipalRef::parse(text) {
        assert_eq!(ServicePrincipalRef::parse(&reference.to_string()).ok(), Some(reference));
    }
    if let Ok(id) = JobId::new(text) {
        assert_eq!(JobId::new(id.as_str()).ok(), Some(id));
    }
});
