// page.js placeholder
