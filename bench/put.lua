-- PUT /tasks/{id} with the article's form body. The ids cycle through 1..3, the tasks every server
-- starts with, so ipc-rest's store stays at three tasks and GET /tasks keeps answering the same bytes
-- as the raw Netty baseline (names "bench" and "task1" have the same length).
wrk.method = "PUT"
wrk.body = 'data={"name": "bench"}'
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, "/tasks/" .. (1 + counter % 3))
end
