// The service: routes to handlers.
import { serve } from './http.js';
import { closeMonth, closeMonthSafely, monthlyRevenue, topCustomers } from './reports.js';
import { deactivateUser, getUser, renameUser, updateEmail, userSummary } from './users.js';

serve(
  {
    'GET /users/:id': getUser,
    'GET /users/:id/summary': userSummary,
    'PUT /users/:id/email': updateEmail,
    'PUT /users/:id/name': renameUser,
    'DELETE /users/:id': deactivateUser,
    'GET /reports/revenue': monthlyRevenue,
    'GET /reports/top-customers': topCustomers,
    'POST /reports/close-month': closeMonth,
    'POST /reports/close-month-safely': closeMonthSafely,
  },
  Number(process.env['PORT'] ?? 3000),
);
