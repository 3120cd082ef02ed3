"""Field driver: a Flask app answering through its test client."""

from flask import Flask, abort, jsonify, render_template_string

app = Flask(__name__)


@app.route("/")
def index():
    return render_template_string(
        "<h1>{{ title }}</h1>{% for n in range(3) %}<i>{{ n }}</i>{% endfor %}", title="Field suite <3"
    )


@app.route("/square/<int:n>")
def square(n):
    return jsonify(n=n, square=n * n)


@app.route("/secret")
def secret():
    abort(403)


with app.test_client() as client:
    for path in ("/", "/square/12", "/secret", "/missing"):
        response = client.get(path)
        print(path, response.status, response.content_type, response.content_length)
        print(response.get_data(as_text=True))
