// /auth/callback: exchange the code, verify the ID token, return to the console (console.md §2).
import { handleCallback } from './auth.js';

handleCallback();
