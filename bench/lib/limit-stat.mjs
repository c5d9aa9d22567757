// The warm limit: a bare node that stats every file of a list (one path a line), as an unchanged
// tree needs at the least. Run: node limit-stat.mjs LIST
import fs from 'node:fs';

const list = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
let bytes = 0n;
for (const file of list) bytes += fs.lstatSync(file, { bigint: true }).size;
process.stdout.write(`${JSON.stringify({ files: list.length, bytes: String(bytes) })}\n`);
