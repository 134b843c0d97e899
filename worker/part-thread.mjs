// A worker thread has no module hooks of its own: TypeScript is loaded through tsx here, as bin/fdi.mjs does.
import { register } from 'tsx/esm/api';
register();
await import('./part-thread.ts');
