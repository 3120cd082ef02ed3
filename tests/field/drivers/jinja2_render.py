"""Field driver: jinja2 inheritance, macros, filters, autoescape, and a template's error."""

import traceback

from jinja2 import DictLoader, Environment, TemplateSyntaxError, select_autoescape

env = Environment(
    loader=DictLoader(
        {
            "base.html": "<title>{% block title %}{% endblock %}</title>{% block body %}{% endblock %}",
            "page.html": """{% extends "base.html" %}
{% macro item(x) %}<li>{{ x | title }}</li>{% endmacro %}
{% block title %}{{ name | upper }}{% endblock %}
{% block body %}<ul>{% for x in items | sort %}{{ item(x) }}{% endfor %}</ul>{{ html }}{% endblock %}""",
            "broken.html": "line one\n{{ 1 // zero }}\n",
            "bad.html": "{% for x in %}",
        }
    ),
    autoescape=select_autoescape(["html"]),
)
print(env.get_template("page.html").render(name="field", items=["b", "a", "c"], html="<b>bold</b>"))
try:
    env.get_template("broken.html").render(zero=0)
except ZeroDivisionError:
    frame = traceback.extract_tb(__import__("sys").exc_info()[2])[-1]
    print("error at", frame.filename, frame.lineno, frame.line)
try:
    env.get_template("bad.html")
except TemplateSyntaxError as exc:
    print("syntax error:", exc.message, exc.lineno, exc.name)
