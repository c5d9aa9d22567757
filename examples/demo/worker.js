const fs = require('fs');
function processData(input) {
// BUG: extra closing paren
const result = [1,2,3].map(x => x * 2));
return result;
}
module.exports = { processData };
