// The seed's models together, shared by "Eager vs Lazy Loading" and "Joining Queries".
export { blogModels, seedBlog, type BlogModels } from '../../../examples/seed/blog.js';
