"""Demo content for `seed_demo` and `bench_catalogue`, from data tables up to whole courses.

- `data`: the tables (categories, providers, questions, 24 course specs, people, title words);
- `structure`: the site tree, categories, providers, covers and lesson text every demo course uses;
- `seed`: the hand-written catalogue and people with progress, through the services (`demo_seed`);
- `generate`: synthetic courses in bulk for load tests (`courses_generate`), their pages written by
  the import's `course_pages_create`.

Shared pieces every app's demo uses (the run report, demo users, the organiser) are in `accounts.demo`.
"""
