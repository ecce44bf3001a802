/// Store failures the domain can act on; everything else is `Unavailable`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("the condition on the write did not hold")]
    ConditionFailed,
    #[error("the transaction was cancelled: {reasons:?}")]
    TransactionCanceled { reasons: Vec<CancelReason> },
    #[error("the store is throttling requests; retry later")]
    Throttled,
    #[error("invalid request to the store: {0}")]
    Validation(String),
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
}

/// Why one operation of a cancelled transaction failed (in operation order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelReason {
    None,
    ConditionFailed,
    Conflict,
    Other(String),
}
