// Run code-mechanic under PM2:  pm2 start examples/pm2/ecosystem.config.js && pm2 save
// With the package installed globally (npm i -g), set `script: 'mechanic'` and `interpreter: 'none'`.
const path = require('node:path');

module.exports = {
  apps: [
    {
      name: 'code-mechanic',
      script: path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js'),
      args: ['daemon'],
      env: {
        // Where the config lives; the daemon cycles every cycleIntervalMs from it.
        MECHANIC_CONFIG: process.env.MECHANIC_CONFIG || path.join(process.env.HOME || '/root', 'mechanic.config.yaml'),
      },
      // SIGTERM lets the cycle under way finish its write or revert; a model call can take 2 min.
      kill_timeout: 150000,
      autorestart: true,
      restart_delay: 5000,
      max_restarts: 20,
      time: true,
    },
  ],
};
