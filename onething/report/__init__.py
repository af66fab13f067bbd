"""Pictures of the cases: a case's steps as a graph, and a page of statistics over all cases."""
