//! The report's first screen as a finished value (`Brief`): each incident in a few short
//! phrases, the top flags with new error types folded into their incident, the top error
//! types. Types only; `front.rs` picks them from the `Report`.

use serde::Serialize;

use crate::rules::Severity;

#[derive(Serialize, Debug, Default, Clone)]
pub struct Brief {
    pub incidents: Vec<BriefIncident>,
    /// The top flags by severity then count; `new_error_type` flags are in their incident.
    pub flags: Vec<BriefFlag>,
    /// Flags not listed (besides the folded `new_error_type` ones).
    pub flags_more: usize,
    pub error_types: Vec<BriefError>,
    pub error_types_more: usize,
    /// The folded `new_error_type` flags: each type and its lines, as the flags list them.
    pub new_error_types: Vec<(String, u64)>,
}

#[derive(Serialize, Debug, Clone)]
pub struct BriefIncident {
    /// 1-based, as the timeline marks it.
    pub number: usize,
    pub severity: Severity,
    pub start: String,
    pub end: String,
    pub seconds: f64,
    /// What failed, worst first: `30 upstream-closed 502s`, each with the incident's count.
    pub what: Vec<String>,
    /// The endpoints its flags name, most flagged first.
    pub endpoints: Vec<String>,
    pub new_error_types: Vec<String>,
}

#[derive(Serialize, Debug, Clone)]
pub struct BriefFlag {
    pub severity: Severity,
    pub rule: String,
    pub subject: Option<String>,
    pub count: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    /// Its top endpoint, then what the app side says of its requests, or its decision.
    pub gist: Vec<String>,
}

#[derive(Serialize, Debug, Clone)]
pub struct BriefError {
    pub kind: String,
    pub source: &'static str,
    pub count: u64,
    pub http_status: Option<u16>,
    pub endpoint: Option<String>,
}
