"""Long work as jobs: the models, the runner (threads or Celery workers), pages, commands."""
