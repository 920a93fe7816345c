# The article's Flask-RESTful server.py, unchanged except: the port comes from the command line,
# and debug is off (debug=True runs the reloader and debugger, which would slow it unfairly).
import sys

from flask import Flask, request, json
from flask_restful import Api, Resource


app = Flask('rest')
api = Api(app)


tasks = [
    {'id': 1, 'name': 'task1'},
    {'id': 2, 'name': 'task2'},
    {'id': 3, 'name': 'task3'},
]


class Task_(Resource):
    def get(self):
        return tasks


class Task(Resource):
    def get(self, task_id):
        return [task for task in tasks if (lambda task:task['id'] == task_id)(task)]

    def put(self, task_id):
        data = request.form['data']
        task = {'id': task_id}
        task.update(json.loads(data))
        tasks.append(task)
        return task, 201


api.add_resource(Task_, '/tasks')
api.add_resource(Task, '/tasks/<int:task_id>')
app.run(port=int(sys.argv[1]) if len(sys.argv) > 1 else 5000, debug=False)
