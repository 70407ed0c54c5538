/* pypi_popular: the built-in list of widely used PyPI packages that the
 * typosquat check compares names against (what goes in: ecosystems/popular_builtin.h). */
#include "ecosystems/popular_builtin.h"

const char *const popular_builtin_pypi[] = {
    /* http and the requests family */
    "requests", "urllib3", "certifi", "charset-normalizer", "idna", "chardet", "requests-oauthlib",
    "requests-toolbelt", "oauthlib", "httpx", "httpcore", "h11", "httplib2", "aiohttp", "aiosignal",
    "frozenlist", "multidict", "yarl", "async-timeout", "websockets", "websocket-client", "responses",
    "pysocks", "dnspython", "uritemplate", "cachecontrol",
    /* packaging and the interpreter's companions */
    "six", "setuptools", "pip", "wheel", "packaging", "pyparsing", "attrs", "python-dateutil", "pytz",
    "tzdata", "tzlocal", "typing-extensions", "importlib-metadata", "zipp", "filelock", "platformdirs",
    "virtualenv", "distlib", "pipenv", "poetry", "poetry-core", "setuptools-scm", "build", "twine",
    "hatchling", "flit-core", "pyproject-hooks", "exceptiongroup", "future", "cython", "cffi", "pycparser",
    "more-itertools", "decorator", "wrapt", "deprecated", "toolz", "dill", "cloudpickle", "joblib",
    "threadpoolctl", "greenlet", "gevent", "eventlet", "psutil", "colorama", "termcolor", "tabulate", "tqdm",
    "rich", "click", "prompt-toolkit", "pygments", "docutils", "sphinx", "wcwidth", "markdown", "mistune",
    "babel", "blinker", "regex", "pyserial", "pexpect", "ptyprocess", "loguru", "structlog", "tenacity",
    "retrying", "backoff", "python-dotenv", "pyinstaller", "gitpython", "annotated-types", "typing-inspect",
    "mypy-extensions", "pyrsistent", "jsonpointer", "jsonpatch", "jsonschema", "zope-interface",
    /* data formats */
    "pyyaml", "toml", "tomli", "tomlkit", "simplejson", "ujson", "orjson", "msgpack", "msgpack-python",
    "protobuf", "lxml", "html5lib", "beautifulsoup4", "soupsieve", "defusedxml", "xmltodict", "openpyxl",
    "xlrd", "xlsxwriter", "pyarrow", "markupsafe", "jinja2",
    /* science and machine learning */
    "numpy", "pandas", "scipy", "matplotlib", "seaborn", "scikit-learn", "scikit-image", "statsmodels",
    "sympy", "networkx", "pillow", "opencv-python", "opencv-python-headless", "tensorflow", "tensorboard",
    "keras", "torch", "torchvision", "torchaudio", "transformers", "tokenizers", "datasets", "huggingface-hub",
    "safetensors", "accelerate", "sentencepiece", "nltk", "spacy", "gensim", "xgboost", "lightgbm", "catboost",
    "jax", "jaxlib", "onnx", "onnxruntime", "numba", "llvmlite", "h5py", "absl-py", "dask", "distributed",
    "polars", "pyspark", "plotly", "dash", "bokeh", "streamlit", "gradio", "mlflow", "wandb", "openai",
    "anthropic", "langchain", "tiktoken", "levenshtein", "python-levenshtein", "rapidfuzz", "fuzzywuzzy",
    "arrow", "pendulum", "faker",
    /* web frameworks */
    "django", "djangorestframework", "django-cors-headers", "django-filter", "django-extensions",
    "django-environ", "django-storages", "django-debug-toolbar", "django-redis", "django-celery-beat",
    "channels", "asgiref", "sqlparse", "flask", "flask-cors", "flask-sqlalchemy", "flask-login", "flask-wtf",
    "flask-restful", "flask-migrate", "werkzeug", "itsdangerous", "fastapi", "starlette", "uvicorn",
    "gunicorn", "waitress", "tornado", "twisted", "pydantic", "pydantic-core", "pydantic-settings", "anyio",
    "sniffio", "marshmallow", "python-multipart", "email-validator",
    /* databases and queues */
    "sqlalchemy", "alembic", "psycopg2", "psycopg2-binary", "psycopg", "pymysql", "mysqlclient", "pymongo",
    "redis", "celery", "kombu", "billiard", "amqp", "vine", "pika", "kafka-python", "confluent-kafka",
    "elasticsearch", "pyodbc", "cx-oracle", "oracledb",
    /* cloud */
    "boto3", "botocore", "s3transfer", "jmespath", "awscli", "boto", "google-auth", "google-api-python-client",
    "google-cloud-storage", "google-cloud-bigquery", "google-api-core", "googleapis-common-protos",
    "oauth2client", "grpcio", "grpcio-tools", "azure-core", "azure-storage-blob", "azure-identity", "docker",
    "docker-py", "kubernetes", "ansible", "fabric", "invoke", "sentry-sdk",
    /* security */
    "cryptography", "pyopenssl", "bcrypt", "paramiko", "pynacl", "pyjwt", "rsa", "pyasn1", "pyasn1-modules",
    "cachetools", "pycryptodome", "ldap3",
    /* test and quality */
    "pytest", "pytest-cov", "pytest-mock", "pytest-xdist", "pytest-asyncio", "pluggy", "iniconfig", "coverage",
    "mock", "tox", "nose", "hypothesis", "factory-boy", "black", "flake8", "pylint", "mypy", "isort",
    "autopep8", "yapf", "pycodestyle", "pyflakes", "bandit", "ruff", "pre-commit",
    /* notebooks */
    "jupyter", "notebook", "ipython", "ipykernel", "jupyterlab", "traitlets", "pyzmq", "jedi", "parso",
    /* well-known projects one edit or an affix away from another listed name */
    "cchardet", "futures", "pycryptodomex", "tensorboardx", "scapy", "simpy", "unicorn", "pymssql", "fastai",
    "ijson", "parse", "gsutil", "persistent", "authlib", "grequests", "cattrs", "willow", "bpython", "torchx",
    "ngboost", "pyshark", "django-filer", "dataset", "markdown2", "scrapy", "parsel", "scanpy",
};
const size_t popular_builtin_pypi_count = sizeof(popular_builtin_pypi) / sizeof(popular_builtin_pypi[0]);
