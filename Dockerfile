# The dashboard alone, as a Hugging Face Docker Space runs it (any container host works the same).
# The local backend, the tests and the dev tools stay out of the image (see .dockerignore).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Spaces run the container as uid 1000: give that user a home and let it own the app.
RUN useradd -m -u 1000 user
USER user
ENV HOME=/home/user \
    PATH=/home/user/.local/bin:$PATH
WORKDIR $HOME/app

# Dependencies first, so a code change does not reinstall them.
COPY --chown=user requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt

COPY --chown=user app.py Home.py ./
COPY --chown=user pages ./pages
COPY --chown=user components ./components
COPY --chown=user .streamlit ./.streamlit

EXPOSE 8501
# The slim image has no curl: ask Streamlit's health route with the standard library.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4)"]
# app.py serves Home.py and readies the server for its first visitor (see its docstring).
CMD ["streamlit", "run", "app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]
