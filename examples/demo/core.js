// Protected: the mechanic reports this file's error but never touches it.
const queue = [];

function enqueue(job) {
  queue.push(job);
  return queue.length;
}

function drain(handler {
  while (queue.length) handler(queue.shift());
}

module.exports = { enqueue, drain };
