# Type information for the parts of Flask-WTF this project uses (it ships none).
from flask_wtf.csrf import CSRFProtect as CSRFProtect
from flask_wtf.form import FlaskForm as FlaskForm
