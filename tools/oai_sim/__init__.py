"""Local test/demo tooling: a seeded OpenAI audit-log event generator and a loopback Audit Log API simulator."""
