//! Typed path parameters of the synchronization routes: each names one `{param}` of the
//! matched route, percent-decoded; a segment that is not valid percent-encoded UTF-8 is `400`.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::error::GraphError;

/// One extractor type per path parameter.
macro_rules! path_params {
    ($($(#[$doc:meta])* $name:ident => $param:literal),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub(crate) struct $name(pub(crate) String);

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = GraphError;

            async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, GraphError> {
                let Path(mut params) =
                    Path::<HashMap<String, String>>::from_request_parts(parts, &())
                        .await
                        .map_err(|_| GraphError::malformed_path())?;
                params
                    .remove($param)
                    .map(Self)
                    .ok_or_else(|| GraphError::internal(concat!("The route has no {", $param, "}.")))
            }
        }
    )*};
}

path_params! {
    /// `…/jobs/{job}`.
    JobSegment => "job",
    /// `…/templates/{template}`.
    TemplateSegment => "template",
    /// `…/schema/directories/{directory}/discover`.
    DirectorySegment => "directory",
}
