"""Plain helpers the tests share; fixtures stay in the conftest files, which import from here.

- app: the fixture course's path, the test secret, an app's test config, emptying its tables
- factories: make test data (people) with sensible defaults
- clients: sign a test client in, make a signed-in client for a new person, read a CSRF token
- i18n: what a page should say in a language, and which language a page is in
- mail: the messages an app has sent, and the link in one
- quizzes: read a module's lessons, fill in an attempt's answers and form
- certificates: a learner who has completed the course
- organisations: a valid BIN, an application form, an API token
- authoring: people with a role, and the course editor's forms as a browser sends them

Nothing here is a test or a fixture, so any test module may import any of it.
"""
