"""What people read: the terminal summary and progress, the KPI report and the docs site."""
