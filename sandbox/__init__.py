"""Local vendor-API sandbox: deterministic generated data served over real HTTP on 127.0.0.1."""
