"""Task and Person over gRPC from their .proto files: list, put, get, not-found, the person."""
import sys

import grpc
import person_pb2
import person_pb2_grpc
import task_pb2
import task_pb2_grpc

address = sys.argv[1]
task_id = int(sys.argv[2])

with grpc.insecure_channel(address) as channel:
    tasks = task_pb2_grpc.TasksStub(channel)
    listed = tasks.ListTasks(task_pb2.ListTasksRequest(), timeout=10)
    assert [t.id for t in listed.tasks][:3] == [1, 2, 3], listed
    put = tasks.PutTask(task_pb2.Task(id=task_id, name='from python grpc'), timeout=10)
    assert put.id == task_id and put.name == 'from python grpc', put
    got = tasks.GetTask(task_pb2.GetTaskRequest(id=task_id), timeout=10)
    assert got == put, got
    try:
        tasks.GetTask(task_pb2.GetTaskRequest(id=987654321), timeout=10)
        raise AssertionError('expected NOT_FOUND')
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.NOT_FOUND, e
    person = person_pb2_grpc.PeopleStub(channel).GetPerson(person_pb2.GetPersonRequest(), timeout=10)
    assert (person.name, person.age, person.sex) == ('Rootkit', 99, True), person
    assert list(person.hobby) == ['Coding', 'Badminton', 'Billiards', 'Reading', 'Guitar'], person
print('ok', task_id)
