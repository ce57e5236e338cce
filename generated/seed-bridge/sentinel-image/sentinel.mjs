// Placeholder written by `sentinel-compose render --sentinel-bundle placeholder` (committed
// examples). A real render copies the bundled TypeScript Sentinel (dist/sentinel.bundle.mjs) here.
console.error('sentinel-compose: this image holds a placeholder, not the sentinel; render without --sentinel-bundle placeholder');
process.exit(2);
