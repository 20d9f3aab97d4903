FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Pango and a font for WeasyPrint's PDF reports (apps/shortlists/pdf.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput
EXPOSE 8000
# Static files are collected at build (above; whitenoise serves them with a manifest when
# DEBUG=0). The gunicorn config's access log redacts take-home tokens.
CMD ["gunicorn", "-c", "interviewbank/gunicorn.conf.py", "interviewbank.wsgi:application"]
