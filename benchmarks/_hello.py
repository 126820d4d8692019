"""The baseline for the API benchmark: FastAPI's hello world."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def hello():
    return {"message": "Hello World"}
