from meclean.cli import app

app()
