//! Integration tests for the seal: a real Postgres and a real HTTP mock.
