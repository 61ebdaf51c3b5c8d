// The floor under figure 4: what any Node program pays to do what `imds get instance-id` does,
// with nothing else. Two exchanges over node:net on fresh connections (a token PUT, then the GET
// with that token) and one write of the answer. No flags, no retries, no checks: a measuring stick,
// not a client. Usage: node two-exchanges.cjs http://127.0.0.1:PORT
'use strict';
const net = require('node:net');

const { hostname, port } = new URL(process.argv[2]);

function exchange(head) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const chunks = [];
    socket.setNoDelay(true);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      socket.destroy();
      const response = Buffer.concat(chunks).toString('latin1');
      resolve(response.slice(response.indexOf('\r\n\r\n') + 4));
    });
    socket.write(head, 'latin1');
  });
}

(async () => {
  const host = `Host: ${hostname}:${port}\r\n`;
  const token = await exchange(
    `PUT /latest/api/token HTTP/1.1\r\n${host}X-aws-ec2-metadata-token-ttl-seconds: 21600\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
  );
  const id = await exchange(
    `GET /latest/meta-data/instance-id HTTP/1.1\r\n${host}X-aws-ec2-metadata-token: ${token}\r\nConnection: close\r\n\r\n`,
  );
  process.stdout.write(`${id}\n`);
})();
