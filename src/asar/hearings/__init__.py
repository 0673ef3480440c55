"""Live public hearings: scheduling, registration, the live room (discussion, Q&A, polls), moderation."""
