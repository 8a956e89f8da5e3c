//! `…/schema` of a job or a template: read, replace, reset, the operator and function
//! catalogues, expression parsing, and directory discovery.

use graph_sync_model::schema_as_code::{SchemaDocument, SchemaPlan};
use graph_sync_model::{
    AttributeMappingFunctionSchema, DirectoryDefinition, DirectoryId, FilterOperatorSchema,
    ParseExpressionRequest, ParseExpressionResponse, Property, SynchronizationSchema,
};
use http::Method;

use crate::error::{Error, InvalidInput};
use crate::operations::paging;
use crate::operations::{Resource, decode, decode_entity};

/// `…/schema`: the synchronization schema of a job or a template.
///
/// The documented paths: a job's schema under a service principal (every operation); a
/// template's schema under a service principal (get, filterOperators, functions,
/// parseExpression) and under an application (get, put, delete, filterOperators, functions).
#[derive(Debug, Clone)]
pub struct SchemaApi {
    resource: Resource,
}

impl SchemaApi {
    pub(crate) fn new(resource: Resource) -> Self {
        Self { resource }
    }

    /// A directory of the schema: `…/schema/directories/{directoryId}`.
    #[must_use]
    pub fn directory(&self, directory_id: DirectoryId) -> DirectoryApi {
        DirectoryApi {
            resource: self.resource.child(&["directories", directory_id.as_str()]),
        }
    }

    /// `GET …/schema`: the schema, with its directories inline.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for a non-2xx answer, [`Error::Decode`] for a body that is not a
    /// schema, [`Error::Transport`] and [`Error::Auth`] as for any call.
    pub async fn get(&self) -> Result<SynchronizationSchema, Error> {
        self.resource.get("a synchronization schema").await
    }

    /// `PUT …/schema`: **replaces** the whole schema with `schema`. Read it with
    /// [`get`](Self::get), change it, and put the complete object back. The service rejects a
    /// target attribute mapped twice and a mapping to an attribute its directory does not
    /// define (`400`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when `schema` has neither directories nor rules (a PUT of it
    /// would erase the schema: use [`delete`](Self::delete) to reset);
    /// [`Error::Service`] for a non-2xx answer; [`Error::Transport`] and [`Error::Auth`] as
    /// for any call.
    pub async fn put(&self, schema: &SynchronizationSchema) -> Result<(), Error> {
        refuse_empty(schema)?;
        self.resource
            .send_json(Method::PUT, schema, "a synchronization schema")
            .await
            .map(drop)
    }

    /// `GET …/schema` as a [`SchemaDocument`]: the schema and the exact text Graph sent, so
    /// that [`put_document`](Self::put_document) can send it back byte for byte.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get).
    pub async fn get_document(&self) -> Result<SchemaDocument, Error> {
        let response = self.resource.send_empty(Method::GET).await?;
        SchemaDocument::from_json(response.body()).map_err(|e| {
            Error::Decode(crate::error::DecodeError::from_json(
                "a synchronization schema",
                &e,
            ))
        })
    }

    /// `PUT …/schema` with the document's text, compact but otherwise as read or written
    /// (key order, spelling of numbers and strings): a schema read with
    /// [`get_document`](Self::get_document) goes back exactly as Graph sent it, and a
    /// hand-written partial one goes out as written, nothing added. Like [`put`](Self::put),
    /// it **replaces** the whole schema.
    ///
    /// # Errors
    ///
    /// As [`put`](Self::put).
    pub async fn put_document(&self, document: &SchemaDocument) -> Result<(), Error> {
        refuse_empty(document.schema())?;
        self.resource
            .send_json_text(Method::PUT, document.compact())
            .await
            .map(drop)
    }

    /// [`put_document`](Self::put_document), then [`get_document`](Self::get_document): the
    /// schema the service holds afterwards, and how it differs from what was sent (ignoring
    /// the schema `id`, which the service keeps, and `@odata.*` annotations). An empty
    /// [`SchemaPlan`] means the service holds exactly what was sent.
    ///
    /// # Errors
    ///
    /// As [`put`](Self::put) and [`get`](Self::get). A read-back that differs is not an
    /// error: look at the plan.
    pub async fn put_and_verify(
        &self,
        document: &SchemaDocument,
    ) -> Result<(SchemaDocument, SchemaPlan), Error> {
        self.put_document(document).await?;
        let held = self.get_document().await?;
        let mut sent = document.schema().clone();
        sent.id = held.schema().id.clone();
        let differences = SchemaPlan::between(&sent, held.schema()).without_annotations();
        Ok((held, differences))
    }

    /// `DELETE …/schema`: resets the schema to the template's default (for a template, to the
    /// default of its `factoryTag`).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for a non-2xx answer; [`Error::Transport`] and [`Error::Auth`] as
    /// for any call.
    pub async fn delete(&self) -> Result<(), Error> {
        self.resource.send_empty(Method::DELETE).await.map(drop)
    }

    /// `GET …/schema/filterOperators`: the operators usable in scoping filters. (It needs the
    /// ReadWrite permissions, although it is a GET.)
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get).
    pub async fn filter_operators(&self) -> Result<Vec<FilterOperatorSchema>, Error> {
        let resource = self.resource.child(&["filterOperators"]);
        paging::collect(
            resource.client(),
            resource.url()?,
            "a list of filter operators",
        )
        .await
    }

    /// `GET …/schema/functions`: the functions usable in attribute mappings.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get).
    pub async fn functions(&self) -> Result<Vec<AttributeMappingFunctionSchema>, Error> {
        let resource = self.resource.child(&["functions"]);
        paging::collect(resource.client(), resource.url()?, "a list of functions").await
    }

    /// `POST …/schema/parseExpression`: parses an attribute-mapping expression and, with a
    /// test object, evaluates it. A parse or evaluation failure is not an HTTP error: it
    /// comes back with `200` in [`ParseExpressionResponse::error`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty expression; otherwise as [`get`](Self::get).
    pub async fn parse_expression(
        &self,
        request: &ParseExpressionRequest,
    ) -> Result<ParseExpressionResponse, Error> {
        if request
            .expression
            .as_deref()
            .is_none_or(|text| text.trim().is_empty())
        {
            return Err(InvalidInput::new("parseExpression needs a non-empty expression").into());
        }
        let response = self
            .resource
            .child(&["parseExpression"])
            .send_json(Method::POST, request, "a parseExpression request")
            .await?;
        decode(&response, "a parseExpression response")
    }
}

/// Refuses a schema with neither directories nor rules: a PUT of it would erase the schema.
fn refuse_empty(schema: &SynchronizationSchema) -> Result<(), Error> {
    let empty = |v: &Property<Vec<_>>| v.get().is_none_or(Vec::is_empty);
    if empty(&schema.directories) && schema.synchronization_rules.get().is_none_or(Vec::is_empty) {
        return Err(InvalidInput::new(
            "a schema PUT replaces the whole schema, and this one has no directories and no rules: \
             GET the schema, change it and PUT it back, or DELETE to reset it",
        )
        .into());
    }
    Ok(())
}

/// `…/schema/directories/{directoryId}`: a directory of a schema.
#[derive(Debug, Clone)]
pub struct DirectoryApi {
    resource: Resource,
}

impl DirectoryApi {
    /// `POST …/directories/{directoryId}/discover`: asks the target system which objects and
    /// attributes it has, and returns the refreshed directory definition. (It needs
    /// `Directory.ReadWrite.All` or `Application.ReadWrite.OwnedBy`.)
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for a non-2xx answer, [`Error::Decode`] for a body that is not a
    /// directory definition, [`Error::Transport`] and [`Error::Auth`] as for any call.
    pub async fn discover(&self) -> Result<DirectoryDefinition, Error> {
        let response = self
            .resource
            .child(&["discover"])
            .send_empty(Method::POST)
            .await?;
        decode_entity(&response, "a directory definition")
    }
}
