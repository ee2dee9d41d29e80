//! This chapter's exercises are still being written.
