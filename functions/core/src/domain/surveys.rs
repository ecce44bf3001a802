//! Needs surveys: HQ creates and closes them; residents in scope answer once per period.
