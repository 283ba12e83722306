"""Public innovation circles: teams of a cohort's learners carrying one real project each."""
